"""Models of the workforce app; filled by later issues (see DESIGN.md §6)."""
