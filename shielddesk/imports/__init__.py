"""Readers and validators for the files ShieldDesk takes in (DESIGN §6). No database access here."""
