"""Case types: BPMN diagrams in processes/, deployed as versioned process_version rows."""
