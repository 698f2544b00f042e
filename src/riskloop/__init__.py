"""riskloop: closed-loop credit risk platform for online SME lending."""

__version__ = "0.1.0"
