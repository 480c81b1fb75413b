"""Delivery to emitters, and the guards around every call into a plugin: deadlines and hidden secrets."""
