"""`leadscore sync`: push changed tiers and reasons into the CRM (what Hightouch or Census would do)."""
