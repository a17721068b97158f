"""Commands run as processes of their own: killed at a fail point, or racing each other."""
