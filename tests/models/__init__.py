"""The models: constraints, delete rules, validation, natural keys and the factories."""
