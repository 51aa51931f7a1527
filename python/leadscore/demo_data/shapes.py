"""The one demo CRM written in the tables a connector lands for Salesforce or HubSpot.

The native generator's raw tables (crm_accounts, crm_leads, crm_activities, crm_opportunities) are
rewritten chunk by chunk into each CRM's object model, as Fivetran's connectors name the tables
and columns, so the same people, touches and conversions can be built in every input mode and
compared. What a CRM cannot express is left out here, and listed in docs/input_contract.md:

- Salesforce: everything maps. A lead that converted gets a Contact (converted_contact_id) and its
  sales meetings after conversion are Events on that contact, so conversion handling is exercised;
  firmographics reach the lead through a lead-to-account lookup (`account_c`).
- HubSpot: page views have no per-event table (HubSpot keeps only rolled-up analytics properties,
  which are not point-in-time), so they are left out; marketing e-mail events reach a contact by
  recipient address, so those of a lead without an e-mail are left out; activity types HubSpot has
  no place for (the demo's "Legacy Import" rows) are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.demo_data import catalog

SHAPES = ("native", "salesforce", "hubspot")
SHAPE_SCHEMAS = {"native": "raw", "salesforce": "salesforce", "hubspot": "hubspot"}
# The dbt vars that build a shape (the demo's Salesforce leads carry their account in account_c).
SHAPE_VARS: dict[str, dict[str, object]] = {
    "native": {},
    "salesforce": {
        "leadscore_input_mode": "salesforce",
        "leadscore_salesforce_lead_account_field": "account_c",
    },
    "hubspot": {"leadscore_input_mode": "hubspot"},
}

TEXT = "varchar"
TIMESTAMP = "timestamp"
DOUBLE = "double precision"
BOOLEAN = "boolean"
BIGINT = "bigint"

SALESFORCE_COLUMNS: dict[str, dict[str, str]] = {
    "account": {
        "id": TEXT,
        "name": TEXT,
        "website": TEXT,
        "industry": TEXT,
        "number_of_employees": BIGINT,
        "annual_revenue": DOUBLE,
        "billing_country": TEXT,
        "funding_stage_c": TEXT,
        "uses_salesforce_c": BOOLEAN,
        "uses_competitor_c": BOOLEAN,
        "created_date": TIMESTAMP,
        "is_deleted": BOOLEAN,
        "master_record_id": TEXT,
        "_fivetran_synced": TIMESTAMP,
    },
    "lead": {
        "id": TEXT,
        "email": TEXT,
        "title": TEXT,
        "lead_source": TEXT,
        "company": TEXT,
        "account_c": TEXT,
        "created_date": TIMESTAMP,
        "is_converted": BOOLEAN,
        "converted_date": TIMESTAMP,
        "converted_contact_id": TEXT,
        "converted_account_id": TEXT,
        "converted_opportunity_id": TEXT,
        "is_deleted": BOOLEAN,
        "master_record_id": TEXT,
        "_fivetran_synced": TIMESTAMP,
    },
    "contact": {
        "id": TEXT,
        "account_id": TEXT,
        "email": TEXT,
        "title": TEXT,
        "lead_source": TEXT,
        "created_date": TIMESTAMP,
        "is_deleted": BOOLEAN,
        "master_record_id": TEXT,
        "_fivetran_synced": TIMESTAMP,
    },
    "task": {
        "id": TEXT,
        "who_id": TEXT,
        "what_id": TEXT,
        "type": TEXT,
        "task_subtype": TEXT,
        "url_c": TEXT,
        "created_date": TIMESTAMP,
        "is_deleted": BOOLEAN,
        "_fivetran_synced": TIMESTAMP,
    },
    "event": {
        "id": TEXT,
        "who_id": TEXT,
        "what_id": TEXT,
        "type": TEXT,
        "event_subtype": TEXT,
        "activity_date_time": TIMESTAMP,
        "created_date": TIMESTAMP,
        "is_deleted": BOOLEAN,
        "_fivetran_synced": TIMESTAMP,
    },
    "opportunity": {
        "id": TEXT,
        "account_id": TEXT,
        "stage_name": TEXT,
        "is_won": BOOLEAN,
        "is_closed": BOOLEAN,
        "amount": DOUBLE,
        "created_date": TIMESTAMP,
        "close_date": TIMESTAMP,
        "is_deleted": BOOLEAN,
        "_fivetran_synced": TIMESTAMP,
    },
}

HUBSPOT_COLUMNS: dict[str, dict[str, str]] = {
    "company": {
        "id": BIGINT,
        "is_deleted": BOOLEAN,
        "property_name": TEXT,
        "property_domain": TEXT,
        "property_industry": TEXT,
        "property_numberofemployees": BIGINT,
        "property_annualrevenue": DOUBLE,
        "property_country": TEXT,
        "property_funding_stage": TEXT,
        "property_uses_salesforce": BOOLEAN,
        "property_uses_competitor": BOOLEAN,
        "property_createdate": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "contact": {
        "id": BIGINT,
        "_fivetran_deleted": BOOLEAN,
        "property_email": TEXT,
        "property_jobtitle": TEXT,
        "property_hs_analytics_source": TEXT,
        "property_associatedcompanyid": BIGINT,
        "property_createdate": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "engagement": {"id": BIGINT, "type": TEXT, "_fivetran_synced": TIMESTAMP},
    "engagement_contact": {"contact_id": BIGINT, "engagement_id": BIGINT, "_fivetran_synced": TIMESTAMP},
    "engagement_meeting": {
        "engagement_id": BIGINT,
        "_fivetran_deleted": BOOLEAN,
        "property_hs_timestamp": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "contact_form_submission": {
        "contact_id": BIGINT,
        "conversion_id": TEXT,
        "form_id": TEXT,
        "title": TEXT,
        "page_url": TEXT,
        "timestamp": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "email_event": {
        "id": TEXT,
        "type": TEXT,
        "recipient": TEXT,
        "created": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "deal": {
        "deal_id": BIGINT,
        "is_deleted": BOOLEAN,
        "deal_pipeline_id": TEXT,
        "deal_pipeline_stage_id": TEXT,
        "property_amount": DOUBLE,
        "property_createdate": TIMESTAMP,
        "property_closedate": TIMESTAMP,
        "_fivetran_synced": TIMESTAMP,
    },
    "deal_contact": {"contact_id": BIGINT, "deal_id": BIGINT, "_fivetran_synced": TIMESTAMP},
    "deal_pipeline_stage": {
        "stage_id": TEXT,
        "closed_won": BOOLEAN,
        "is_closed": BOOLEAN,
        "_fivetran_deleted": BOOLEAN,
        "_fivetran_synced": TIMESTAMP,
    },
}

SHAPE_COLUMNS = {"salesforce": SALESFORCE_COLUMNS, "hubspot": HUBSPOT_COLUMNS}

_ACTIVITY_CODES = {raw.lower(): name for name, (raw, _) in catalog.ACTIVITY_RAW.items()}
FORM_ACTIVITIES = {"content_download", "webinar_attended", "demo_requested", "form_submitted", "trial_signup"}


def salesforce_id(prefix: str, ids: pd.Series | np.ndarray) -> np.ndarray:
    """Salesforce-style ids: the object's key prefix and 12 digits (00Q lead, 003 contact, 001 account...)."""
    return np.array([f"{prefix}{int(i):012d}" for i in np.asarray(ids)], dtype=object)


def canonical_activity(raw_types: pd.Series) -> pd.Series:
    """The catalog's activity name for a raw type in any of the generator's spellings (None if unknown)."""
    cleaned = raw_types.fillna("").str.strip().str.replace("_", " ").str.lower()
    return cleaned.map(_ACTIVITY_CODES)


def _flag(frame: pd.DataFrame, value: bool = False) -> np.ndarray:
    return np.full(len(frame), value)


def to_salesforce(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    accounts, leads = raw["crm_accounts"], raw["crm_leads"]
    activities, opportunities = raw["crm_activities"], raw["crm_opportunities"]

    account = pd.DataFrame(
        {
            "id": salesforce_id("001", accounts["account_id"]),
            "name": accounts["account_name"],
            "website": accounts["website_domain"],
            "industry": accounts["industry"],
            "number_of_employees": accounts["employee_count"],
            "annual_revenue": accounts["annual_revenue"],
            "billing_country": accounts["country"],
            "funding_stage_c": accounts["funding_stage"],
            "uses_salesforce_c": accounts["uses_salesforce"],
            "uses_competitor_c": accounts["uses_competitor"],
            "created_date": accounts["created_at"],
            "is_deleted": _flag(accounts),
            "master_record_id": None,
            "_fivetran_synced": accounts["_loaded_at"],
        }
    )

    # A lead converts when its first opportunity is created: it becomes a contact on that account.
    first_opportunity = opportunities.sort_values(["created_at", "opportunity_id"]).drop_duplicates("lead_id")
    conversion = leads[["lead_id"]].merge(first_opportunity, on="lead_id", how="left", suffixes=("", "_opp"))
    converted = conversion["opportunity_id"].notna().to_numpy()
    contact_ids = salesforce_id("003", leads["lead_id"])
    lead = pd.DataFrame(
        {
            "id": salesforce_id("00Q", leads["lead_id"]),
            "email": leads["email"],
            "title": leads["job_title"],
            "lead_source": leads["lead_source"],
            "company": None,
            "account_c": salesforce_id("001", leads["account_id"]),
            "created_date": leads["created_at"],
            "is_converted": converted,
            "converted_date": conversion["created_at"].where(converted),
            "converted_contact_id": np.where(converted, contact_ids, None),
            "converted_account_id": np.where(converted, salesforce_id("001", leads["account_id"]), None),
            "converted_opportunity_id": np.where(
                converted, salesforce_id("006", conversion["opportunity_id"].fillna(0)), None
            ),
            "is_deleted": _flag(leads),
            "master_record_id": None,
            "_fivetran_synced": leads["_loaded_at"],
        }
    )
    contact = pd.DataFrame(
        {
            "id": contact_ids[converted],
            "account_id": salesforce_id("001", leads["account_id"])[converted],
            "email": leads["email"].to_numpy()[converted],
            "title": leads["job_title"].to_numpy()[converted],
            "lead_source": leads["lead_source"].to_numpy()[converted],
            "created_date": conversion["created_at"].to_numpy()[converted],
            "is_deleted": np.zeros(int(converted.sum()), dtype=bool),
            "master_record_id": None,
            "_fivetran_synced": leads["_loaded_at"].to_numpy()[converted],
        }
    )

    # Sales meetings are Events, on the contact once the lead has converted; the rest are Tasks
    # (a marketing-automation sync logs touches as Tasks with the page in a URL field).
    is_meeting = (canonical_activity(activities["activity_type"]) == "sales_meeting").to_numpy()
    converted_at = pd.Series(conversion["created_at"].to_numpy(), index=leads["lead_id"].to_numpy())
    converted_at = converted_at[~converted_at.index.duplicated()]
    lead_converted_at = activities["lead_id"].map(converted_at)
    on_contact = is_meeting & (activities["occurred_at"] >= lead_converted_at).fillna(False).to_numpy()
    who = np.where(
        on_contact, salesforce_id("003", activities["lead_id"]), salesforce_id("00Q", activities["lead_id"])
    )
    task_rows = activities[~is_meeting]
    task = pd.DataFrame(
        {
            "id": salesforce_id("00T", task_rows["activity_id"]),
            "who_id": who[~is_meeting],
            "what_id": None,
            "type": task_rows["activity_type"],
            "task_subtype": "Task",
            "url_c": task_rows["url_path"],
            "created_date": task_rows["occurred_at"],
            "is_deleted": _flag(task_rows),
            "_fivetran_synced": task_rows["_loaded_at"],
        }
    )
    event_rows = activities[is_meeting]
    event = pd.DataFrame(
        {
            "id": salesforce_id("00U", event_rows["activity_id"]),
            "who_id": who[is_meeting],
            "what_id": None,
            "type": event_rows["activity_type"],
            "event_subtype": "Event",
            "activity_date_time": event_rows["occurred_at"],
            "created_date": event_rows["occurred_at"],
            "is_deleted": _flag(event_rows),
            "_fivetran_synced": event_rows["_loaded_at"],
        }
    )

    stage = opportunities["stage"]
    opportunity = pd.DataFrame(
        {
            "id": salesforce_id("006", opportunities["opportunity_id"]),
            "account_id": salesforce_id("001", opportunities["account_id"]),
            "stage_name": stage,
            "is_won": (stage == "Closed Won").to_numpy(),
            "is_closed": (stage != "Open").to_numpy(),
            "amount": opportunities["amount"],
            "created_date": opportunities["created_at"],
            "close_date": opportunities["closed_at"],
            "is_deleted": _flag(opportunities),
            "_fivetran_synced": opportunities["_loaded_at"],
        }
    )
    return {
        "account": account,
        "lead": lead,
        "contact": contact,
        "task": task,
        "event": event,
        "opportunity": opportunity,
    }


def to_hubspot(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    accounts, leads = raw["crm_accounts"], raw["crm_leads"]
    activities, opportunities = raw["crm_activities"], raw["crm_opportunities"]

    company = pd.DataFrame(
        {
            "id": accounts["account_id"],
            "is_deleted": _flag(accounts),
            "property_name": accounts["account_name"],
            "property_domain": accounts["website_domain"],
            "property_industry": accounts["industry"],
            "property_numberofemployees": accounts["employee_count"],
            "property_annualrevenue": accounts["annual_revenue"],
            "property_country": accounts["country"],
            "property_funding_stage": accounts["funding_stage"],
            "property_uses_salesforce": accounts["uses_salesforce"],
            "property_uses_competitor": accounts["uses_competitor"],
            "property_createdate": accounts["created_at"],
            "_fivetran_synced": accounts["_loaded_at"],
        }
    )
    contact = pd.DataFrame(
        {
            "id": leads["lead_id"],
            "_fivetran_deleted": _flag(leads),
            "property_email": leads["email"],
            "property_jobtitle": leads["job_title"],
            "property_hs_analytics_source": leads["lead_source"],
            "property_associatedcompanyid": leads["account_id"],
            "property_createdate": leads["created_at"],
            "_fivetran_synced": leads["_loaded_at"],
        }
    )

    kind = canonical_activity(activities["activity_type"])
    meetings = activities[(kind == "sales_meeting").to_numpy()]
    engagement = pd.DataFrame(
        {"id": meetings["activity_id"], "type": "MEETING", "_fivetran_synced": meetings["_loaded_at"]}
    )
    engagement = engagement.drop_duplicates("id")
    engagement_contact = pd.DataFrame(
        {
            "contact_id": meetings["lead_id"],
            "engagement_id": meetings["activity_id"],
            "_fivetran_synced": meetings["_loaded_at"],
        }
    )
    engagement_meeting = pd.DataFrame(
        {
            "engagement_id": meetings["activity_id"],
            "_fivetran_deleted": _flag(meetings),
            "property_hs_timestamp": meetings["occurred_at"],
            "_fivetran_synced": meetings["_loaded_at"],
        }
    ).drop_duplicates("engagement_id")

    forms = activities[kind.isin(FORM_ACTIVITIES).to_numpy()]
    contact_form_submission = pd.DataFrame(
        {
            "contact_id": forms["lead_id"],
            "conversion_id": [f"conversion-{int(i)}" for i in forms["activity_id"]],
            "form_id": "demo-form",
            "title": forms["activity_type"],
            "page_url": "https://www.example.com" + forms["url_path"].fillna(""),
            "timestamp": forms["occurred_at"],
            "_fivetran_synced": forms["_loaded_at"],
        }
    )

    emails = activities[kind.isin(["email_open", "email_click"]).to_numpy()]
    email_of = leads.drop_duplicates("lead_id").set_index("lead_id")["email"]
    recipient = emails["lead_id"].map(email_of)
    emails, recipient = emails[recipient.notna().to_numpy()], recipient[recipient.notna()]
    email_event = pd.DataFrame(
        {
            "id": [f"email-event-{int(i)}" for i in emails["activity_id"]],
            "type": np.where(canonical_activity(emails["activity_type"]) == "email_open", "OPEN", "CLICK"),
            "recipient": recipient.to_numpy(),
            "created": emails["occurred_at"],
            "_fivetran_synced": emails["_loaded_at"],
        }
    )

    stage_id = np.select(
        [opportunities["stage"] == "Closed Won", opportunities["stage"] == "Closed Lost"],
        ["closedwon", "closedlost"],
        "open",
    )
    deal = pd.DataFrame(
        {
            "deal_id": opportunities["opportunity_id"],
            "is_deleted": _flag(opportunities),
            "deal_pipeline_id": "default",
            "deal_pipeline_stage_id": stage_id,
            "property_amount": opportunities["amount"],
            "property_createdate": opportunities["created_at"],
            "property_closedate": opportunities["closed_at"],
            "_fivetran_synced": opportunities["_loaded_at"],
        }
    )
    deal_contact = pd.DataFrame(
        {
            "contact_id": opportunities["lead_id"],
            "deal_id": opportunities["opportunity_id"],
            "_fivetran_synced": opportunities["_loaded_at"],
        }
    )
    return {
        "company": company,
        "contact": contact,
        "engagement": engagement,
        "engagement_contact": engagement_contact,
        "engagement_meeting": engagement_meeting,
        "contact_form_submission": contact_form_submission,
        "email_event": email_event,
        "deal": deal,
        "deal_contact": deal_contact,
    }


def once_per_shape(shape: str, synced: object) -> dict[str, pd.DataFrame]:
    """Tables written once, not per chunk: HubSpot's deal pipeline stages."""
    return {"deal_pipeline_stage": pipeline_stages(synced)} if shape == "hubspot" else {}


def pipeline_stages(synced: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage_id": ["open", "closedwon", "closedlost"],
            "closed_won": [False, True, False],
            "is_closed": [False, True, True],
            "_fivetran_deleted": [False, False, False],
            "_fivetran_synced": [synced] * 3,
        }
    )


def reshape(shape: str, raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The native chunk's raw tables as the shape's connector tables (native: unchanged)."""
    if shape == "native":
        return raw
    if shape == "salesforce":
        return to_salesforce(raw)
    if shape == "hubspot":
        return to_hubspot(raw)
    raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
