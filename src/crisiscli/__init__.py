"""crisiscli: a calm command-line assistant for customer crises."""

__version__ = "0.1.0"
