"""Service cases against deadlines (issue 14): approval agency (审批代办), supervision (督查督办),
enterprise requests (企业难事找我办, 好差评) and cross-district moves, on the workflow core."""
