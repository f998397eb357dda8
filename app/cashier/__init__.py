"""The till: cash shifts, payments, payouts."""
