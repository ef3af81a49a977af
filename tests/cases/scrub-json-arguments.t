%name
scrub-json-arguments
%args
scrub --format json
%stdin
{"tool_calls":[{"id":"call_1","function":{"name":"mail","arguments":"{\"to\":\"jane\\u0040example.com\",\"id\":\"bob@example.org\",\"n\":12345678901234567890}"}},{"function":{"arguments":"{\"unchanged\": \"\\u00e9\"}"}},{"function":{"arguments":"to jane@example.com, not JSON"}}]}
%stdout
{"tool_calls":[{"id":"call_1","function":{"name":"mail","arguments":"{\"to\":\"<EMAIL_1>\",\"id\":\"<EMAIL_2>\",\"n\":12345678901234567890}"}},{"function":{"arguments":"{\"unchanged\": \"\\u00e9\"}"}},{"function":{"arguments":"to <EMAIL_1>, not JSON"}}]}
%exit
0
