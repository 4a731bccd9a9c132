"""Mechanics every Xứ Đông Stages service shares; no domain knowledge lives here."""
