"""Registration anti-abuse: sliding-window velocity and bursts on shared attributes, before any decision."""
