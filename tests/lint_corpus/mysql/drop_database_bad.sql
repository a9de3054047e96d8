-- expect: ban-drop-database
DROP DATABASE analytics;
