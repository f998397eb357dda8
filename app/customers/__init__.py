"""Customers: who buys, with a phone number checked as an international number."""
