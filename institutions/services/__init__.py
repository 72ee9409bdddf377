"""Every write of the institutions app: applications (`applications`), filing records (`filings`),
eligibility checks (`eligibility`) and attachments (`attachments`)."""
