"""What the demo city's logins share: made by `safetynet demo-city`, listed by `safetynet run`."""

# The demo logins all carry this e-mail domain, which is how `safetynet run` finds them to print.
DEMO_EMAIL_DOMAIN = "demo.invalid"
DEMO_PASSWORD = "Demo-2022-linyi"  # noqa: S105 — printed at every start: a demo, not a secret
