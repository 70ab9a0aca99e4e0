"""Centre-wide and per-region announcements with sanitised HTML and attachments (RULES.md O1)."""
