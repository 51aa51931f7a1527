"""The HTML reports people read: pages from Jinja2 templates (templates/), figures as inline PNG,
and the sections both reports share (drift and what to do about it)."""
