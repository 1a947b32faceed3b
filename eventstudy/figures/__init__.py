"""Report figures by kind (:mod:`eventstudy.plots` names them): one event's, the study's, and what they share."""
