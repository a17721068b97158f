"""The commands that fill an empty database: seed_demo and generate_bakery."""
