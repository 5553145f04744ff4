"""User administration: the city and county bureaus create, bind, deactivate and reset the accounts
of their area, one at a time or from a spreadsheet (village coordinators and grid workers).

- `rules`: who may manage which accounts (core.models.MANAGED_ROLES, always inside the actor's area).
- `services`: every change, recorded on the user's history (core.services.change_record).
- `selectors`: the accounts an administrator sees.
- `importer`: the spreadsheet of coordinators and grid workers, row by row.
- `views`, `forms`: the pages under /users/.
"""
