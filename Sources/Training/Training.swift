// The Training module; see DESIGN.md for what belongs here.
