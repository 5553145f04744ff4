"""Inspections of institutions on a phone, and the hazards they find rectified to a verified closure."""
