"""The timer worker: fires due BPMN timers, raises deadline alerts, delivers notifications."""
