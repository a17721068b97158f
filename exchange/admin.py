"""Admin actions of the exchange: export selected records as a bakery document."""
