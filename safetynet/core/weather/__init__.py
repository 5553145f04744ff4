"""Weather warnings (issue 8, item 5): a cold wave or a temperature below a threshold, per county and
period, entered by the bureau (/weather/) or read from the meteorological feed file. The work that
must react reads `selectors.warnings_in_force`, and hears of a new warning through
`core.hooks.register_weather_listener` (visits to high-risk households within 24 hours, later
care and rescue)."""
