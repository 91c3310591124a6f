// The Parallel module; see DESIGN.md for what belongs here.
