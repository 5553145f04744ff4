"""Campaigns (issue 8, item 6): a named drive (遍访, 寒冬送温暖, the 100-day safety campaign) with an
area, dates and targets per county on measures the apps register (core.hooks.register_campaign_measure),
and its progress read from those measures."""
