"""Helpers shared by the course notebooks, one concern per module; importing the package imports no framework."""
