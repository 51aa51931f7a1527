"""Categories of the demo CRM, how often each occurs, and its hidden effect on fit (log-odds scale)."""

from __future__ import annotations

# name: (share, effect on fit)
INDUSTRIES: dict[str, tuple[float, float]] = {
    "software": (0.22, 0.4),
    "fintech": (0.10, 0.5),
    "healthcare": (0.12, 0.0),
    "manufacturing": (0.14, -0.1),
    "retail": (0.12, -0.3),
    "education": (0.08, -0.6),
    "logistics": (0.07, -0.1),
    "media": (0.07, -0.2),
    "government": (0.04, -0.8),
    "other": (0.04, -0.4),
}

# How the CRM spells each industry; the first spelling is the clean one.
INDUSTRY_SPELLINGS: dict[str, list[str]] = {
    "software": ["Software", "software", "SOFTWARE", " Software ", "Sofware", "SaaS"],
    "fintech": ["Fintech", "FinTech", "fintech", "Financial Services", "Fin Tech"],
    "healthcare": ["Healthcare", "healthcare", "Health Care", "HEALTHCARE"],
    "manufacturing": ["Manufacturing", "manufacturing", "Manufacturer", "MANUFACTURING "],
    "retail": ["Retail", "retail", "Retail & E-commerce", "E-commerce"],
    "education": ["Education", "education", "EdTech", "Higher Education"],
    "logistics": ["Logistics", "logistics", "Transportation & Logistics"],
    "media": ["Media", "media", "Media & Entertainment"],
    "government": ["Government", "government", "Public Sector"],
    "other": ["Other", "other", "Misc"],
}
UNKNOWN_INDUSTRIES = ["Space Tourism", "Crypto Mining", "n/a - see notes"]

FUNDING_STAGES: dict[str, float] = {
    "bootstrapped": -0.3,
    "seed": -0.2,
    "series_a": 0.1,
    "series_b": 0.3,
    "series_c_plus": 0.3,
    "public": 0.0,
}

# country code: (share, spellings in the CRM)
COUNTRIES: dict[str, tuple[float, list[str]]] = {
    "US": (0.42, ["US", "USA", "United States", "us"]),
    "GB": (0.12, ["GB", "UK", "United Kingdom"]),
    "DE": (0.09, ["DE", "Germany", "Deutschland"]),
    "FR": (0.06, ["FR", "France"]),
    "CA": (0.06, ["CA", "Canada"]),
    "NL": (0.04, ["NL", "Netherlands"]),
    "AU": (0.05, ["AU", "Australia"]),
    "IN": (0.07, ["IN", "India"]),
    "BR": (0.04, ["BR", "Brazil"]),
    "SE": (0.03, ["SE", "Sweden"]),
    "SG": (0.02, ["SG", "Singapore"]),
}

SENIORITIES: dict[str, tuple[float, float]] = {
    "c_level": (0.06, 0.4),
    "vp": (0.09, 0.6),
    "director": (0.15, 0.5),
    "manager": (0.25, 0.2),
    "individual_contributor": (0.40, -0.3),
    "unknown": (0.05, -0.5),
}

JOB_FUNCTIONS: dict[str, tuple[float, float]] = {
    "engineering": (0.30, 0.3),
    "it": (0.20, 0.4),
    "marketing": (0.12, -0.3),
    "sales": (0.08, -0.4),
    "finance": (0.08, -0.1),
    "operations": (0.12, 0.1),
    "other": (0.10, -0.5),
}

# Interaction effects the models must discover: (industries, seniorities, effect).
INTERACTIONS: list[tuple[set[str], set[str], float]] = [
    ({"software", "fintech"}, {"vp", "director"}, 0.7),
    ({"healthcare"}, {"manager"}, 0.5),
    ({"manufacturing", "government"}, {"c_level"}, -0.6),
]

# Job titles by (seniority, function): messy on purpose, as reps and forms type them.
TITLE_PREFIXES: dict[str, list[str]] = {
    "c_level": ["Chief {F} Officer", "C{f1}O", "Founder & CEO", "Co-Founder", "CEO"],
    "vp": ["VP {F}", "Vice President, {F}", "VP of {F}", "SVP {F}", "vice president {f}", "EVP, {F}"],
    "director": ["Director of {F}", "Dir. {F}", "Head of {F}", "{F} Director", "Sr. Director, {F}"],
    "manager": ["{F} Manager", "{F} Mgr", "Manager, {F}", "{F} Team Lead"],
    "individual_contributor": ["{F} Specialist", "Senior {F} Analyst", "{F} Associate", "{F} Consultant"],
}
FUNCTION_WORDS: dict[str, list[str]] = {
    "engineering": ["Engineering", "Eng", "Software Engineering", "Platform Engineering"],
    "it": ["IT", "Information Technology", "Infrastructure", "IT Security"],
    "marketing": ["Marketing", "Growth Marketing", "Demand Generation"],
    "sales": ["Sales", "Business Development", "Revenue"],
    "finance": ["Finance", "Financial Planning"],
    "operations": ["Operations", "Ops", "Business Operations"],
    "other": ["Special Projects", "Strategy", "Administration"],
}
# Individual contributors often have a role title instead of a prefix.
IC_ROLE_TITLES: dict[str, list[str]] = {
    "engineering": ["Software Engineer", "Sr. Developer", "DevOps Engineer", "Backend developer"],
    "it": ["Sysadmin", "IT Support Specialist", "Network Engineer"],
    "marketing": ["Marketing Specialist", "Content Writer"],
    "sales": ["Account Executive", "SDR"],
    "finance": ["Accountant", "Financial Analyst"],
    "operations": ["Operations Analyst", "Project Coordinator"],
    "other": ["Student", "Consultant", "Intern"],
}
C_LEVEL_LETTER = {
    "engineering": "T",
    "it": "I",
    "marketing": "M",
    "sales": "R",
    "finance": "F",
    "operations": "O",
    "other": "E",
}

# lead source: (share before drift, share after drift, effect, spellings)
LEAD_SOURCES: dict[str, tuple[float, float, float, list[str]]] = {
    "organic_search": (0.28, 0.24, 0.1, ["Organic Search", "organic_search", "SEO"]),
    "paid_search": (0.18, 0.16, 0.0, ["Paid Search", "Google Ads", "AdWords", "paid_search"]),
    "paid_social": (0.14, 0.26, -0.5, ["Paid Social", "LinkedIn Ads", "paid_social"]),
    "referral": (0.06, 0.05, 0.7, ["Referral", "referral", "Customer Referral"]),
    "webinar": (0.10, 0.08, 0.2, ["Webinar", "webinar"]),
    "content_syndication": (0.10, 0.09, -0.6, ["Content Syndication", "content syndication"]),
    "events": (0.06, 0.05, 0.1, ["Events", "Trade Show", "event"]),
    "partner": (0.08, 0.07, 0.3, ["Partner", "partner", "Partner Referral"]),
}

FREE_EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com"]
FREE_EMAIL_EFFECT = -0.7

# Activities: name -> (raw activity_type, url path template or None)
ACTIVITY_RAW: dict[str, tuple[str, str | None]] = {
    "email_open": ("Email Open", None),
    "email_click": ("Email Click", None),
    "page_view_pricing": ("Page View", "/pricing"),
    "page_view_docs": ("Page View", "/docs/{slug}"),
    "page_view_blog": ("Page View", "/blog/{slug}"),
    "page_view_case_study": ("Page View", "/customers/{slug}"),
    "page_view_comparison": ("Page View", "/compare/{slug}"),
    "page_view_other": ("Page View", "/{slug}"),
    "content_download": ("Content Download", "/resources/{slug}.pdf"),
    "webinar_attended": ("Webinar Attended", None),
    "demo_requested": ("Demo Requested", "/demo"),
    "form_submitted": ("Form Submitted", "/contact"),
    "trial_signup": ("Trial Signup", "/signup"),
    "sales_meeting": ("Sales Meeting", None),
}
URL_SLUGS = [
    "getting-started",
    "api",
    "security",
    "roi-guide",
    "acme-corp",
    "vs-legacy",
    "q3-report",
    "about",
]

# Mixes of activities per latent component (shares sum to 1).
AWARENESS_MIX: dict[str, float] = {
    "email_open": 0.45,
    "email_click": 0.08,
    "page_view_blog": 0.20,
    "page_view_other": 0.09,
    "content_download": 0.07,
    "webinar_attended": 0.04,
    "page_view_docs": 0.04,
    "page_view_pricing": 0.03,
}
INTENT_MIX: dict[str, float] = {
    "page_view_pricing": 0.22,
    "page_view_comparison": 0.08,
    "page_view_docs": 0.15,
    "page_view_case_study": 0.10,
    "email_click": 0.12,
    "content_download": 0.07,
    "webinar_attended": 0.04,
    "demo_requested": 0.04,
    "form_submitted": 0.07,
    "trial_signup": 0.03,
    "page_view_blog": 0.08,
}
NEWSLETTER_MIX: dict[str, float] = {"email_open": 0.85, "email_click": 0.10, "page_view_blog": 0.05}

# Lead-source multipliers of early (awareness) engagement.
SOURCE_ENGAGEMENT: dict[str, float] = {
    "organic_search": 1.0,
    "paid_search": 0.9,
    "paid_social": 0.7,
    "referral": 1.1,
    "webinar": 1.5,
    "content_syndication": 1.3,
    "events": 1.2,
    "partner": 1.0,
}
