"""The CRM properties the sync writes, defined once: the feed column each one carries, and its
definition as HubSpot's properties API takes it (`leadscore sync --create-properties` lists them, and
creates them with --apply), so a CRM admin has one list to create and nothing to guess."""

from __future__ import annotations

from dataclasses import dataclass

PROPERTIES_PATH = "/crm/v3/properties/contacts"
GROUP = "contactinformation"  # the contact property group every HubSpot portal has


@dataclass(frozen=True)
class CrmProperty:
    column: str  # in scoring.crm_lead_sync
    name: str
    label: str
    kind: str  # HubSpot type: string or number
    field_type: str  # HubSpot fieldType: text, textarea or number
    description: str

    def definition(self) -> dict[str, str]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.kind,
            "fieldType": self.field_type,
            "groupName": GROUP,
            "description": self.description,
        }


CRM_PROPERTIES = (
    CrmProperty(
        "tier",
        "leadscore_tier",
        "Lead score tier",
        "string",
        "text",
        "hot, warm, nurture or cold (empty once the lead is closed)",
    ),
    CrmProperty(
        "score",
        "leadscore_score",
        "Lead score",
        "number",
        "number",
        "1 to 100: the lead's rank among open leads (100: no open lead is likelier to convert)",
    ),
    CrmProperty(
        "lead_status",
        "leadscore_status",
        "Lead score status",
        "string",
        "text",
        "open, converted or aged_out",
    ),
    CrmProperty(
        "recommended_action",
        "leadscore_action",
        "Lead score action",
        "string",
        "text",
        "what sales should do with the lead, by tier",
    ),
    CrmProperty(
        "score_trend",
        "leadscore_score_trend",
        "Lead score trend",
        "string",
        "text",
        "new, improving, declining or steady since the last scoring run",
    ),
    CrmProperty(
        "top_reasons",
        "leadscore_reasons",
        "Lead score reasons",
        "string",
        "textarea",
        "the top reasons for and against the score, '; '-separated",
    ),
    CrmProperty(
        "model_version",
        "leadscore_model_version",
        "Lead score model",
        "string",
        "text",
        "the model version that last changed what this record shows",
    ),
)

# Feed column -> CRM property name.
PROPERTIES = {prop.column: prop.name for prop in CRM_PROPERTIES}
