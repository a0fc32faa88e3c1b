"""The surveys' menu entries."""
