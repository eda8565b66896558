"""MMVO: the Multi-Messenger Virtual Observatory service."""

__version__ = "0.1.0"
