# Several PII types, one per line (invented people, test numbers).
%name
scrub-pii-types
%args
scrub
%stdin
SSN: 512-34-6789
IBAN: GB82WEST12345698765432
call me at (415) 555-0132 after 5
client_ip=198.51.100.23
eth0 link/ether 3c:22:fb:91:0a:7e
DOB: 1984-07-23
nino=AB123456C
%stdout
SSN: <US_SSN_1>
IBAN: <IBAN_1>
call me at <PHONE_1> after 5
client_ip=<IP_ADDRESS_1>
eth0 link/ether <MAC_ADDRESS_1>
DOB: <DATE_1>
nino=<UK_NINO_1>
%exit
0
