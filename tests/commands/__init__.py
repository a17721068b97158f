"""Every command of the project: how it takes its options."""
