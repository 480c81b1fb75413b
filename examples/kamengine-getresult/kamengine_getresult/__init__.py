"""kamengine-getresult: KPI-sheet checks from Alibaba's 'get result' steps, as a kamengine plugin."""
