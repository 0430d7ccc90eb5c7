"""Use cases. The only way anything changes: each call checks the role, writes the change and its audit
event in one transaction, and returns plain data."""
