"""Safety management records of institutions (issue 13, item 5): staff trainings, emergency plans and
their drills, the 24-hour watch, and incidents reported upward as kernel cases."""
