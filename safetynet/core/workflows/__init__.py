"""The casework kernel's workflows: tables (table.py), the services interpreting them, the work
desk and inbox, evidence, and the state chart drawn from a table."""
