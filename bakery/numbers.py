"""How the project writes a decimal: without trailing zeros, never in exponent form."""

from decimal import Decimal


def trimmed(value) -> Decimal:
    """Return the decimal without trailing zeros: 2.2500 → 2.25, 48.0000 → 48."""
    value = Decimal(value)
    if value == value.to_integral_value():
        # normalize() alone would turn 48.0000 into 4.8E+1.
        return value.quantize(Decimal(1))
    return value.normalize()


def decimal_text(value) -> str:
    """Write a decimal without trailing zeros or exponent: "2.25", "3", "100"."""
    return f"{trimmed(value):f}"
