"""The admin: model pages and actions, the import page, the export action and its permissions."""
