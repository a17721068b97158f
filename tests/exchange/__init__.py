"""The exchange: export, import, their files, checks and modes, and the round trip."""
