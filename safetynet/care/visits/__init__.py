"""Visits to 特困 persons cared for at home (issue 14, item 5): the registry's household visits, with
the visiting groups, the care checklist, the caregiver's desk and the figures care adds to them."""
