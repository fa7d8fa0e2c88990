"""Models of the supervision app; filled by later issues (see DESIGN.md §6)."""
