"""Household visits and the problems they find (issue 8's first consumer of the casework kernel):
the checklist, the problem workflow, the visiting rules, services, selectors, pages, documents."""
