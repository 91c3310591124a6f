// The Text module; see DESIGN.md for what belongs here.
