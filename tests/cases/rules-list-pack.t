# PACK arguments replace the built-in packs.
%name
rules-list-pack
%args
rules list fixtures/pack-small.json
%stdout
employee-id                          EMPLOYEE_ID              small      redact  low
person-name                          NAME                     small      redact  medium
placeholder-escape                   PLACEHOLDER_ESCAPE       blackbar-internal redact  low
%exit
0
