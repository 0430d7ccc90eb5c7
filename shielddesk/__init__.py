"""ShieldDesk: four-eyes shielding of children's locations in the children's index."""

__version__ = "0.1.0"
