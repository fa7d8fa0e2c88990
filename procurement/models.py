"""Models of the procurement app; filled by later issues (see DESIGN.md §6)."""
