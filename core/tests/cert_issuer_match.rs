//! `issuer_matches` and `serial_matches` with the strings real peers write: RFC 4514 from OpenSSL
//! and Java, the reversed ", "-separated form of .NET, aliases, OIDs, quoting, escapes, spacing;
//! near misses and garbage give `false`.

#[path = "cert_data/fixture.rs"]
mod fixture;

use fixture::Fixture;

/// The leaf's issuer is `emailAddress=ca@probe.example,CN=Probe Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE`.
#[test]
fn certificate_issuer_strings_peers_write() {
    let fx = Fixture::new();
    let leaf = fx.certificate("leaf");
    let ca = fx.certificate("ca");
    let path = fx.path("leaf");
    let openssl =
        fx.openssl(&["x509", "-in", path.to_str().expect("UTF-8 path"), "-noout", "-issuer", "-nameopt", "RFC2253"]);
    let openssl = openssl.trim_end().trim_start_matches("issuer=").to_owned();

    let accepted = [
        openssl.as_str(),
        leaf.issuer(),
        ca.subject(),
        r"E=ca@probe.example, CN=Probe Root + OU=Security, O=Probe\, Inc., S=Berlin, C=DE",
        r#"C=DE, S=Berlin, O="Probe, Inc.", OU=Security + CN=Probe Root, E=ca@probe.example"#,
        r"C=DE,ST=Berlin,O=Probe\, Inc.,OU=Security+CN=Probe Root,emailAddress=ca@probe.example",
        r"emailaddress=ca@probe.example,cn=Probe Root+ou=Security,o=Probe\, Inc.,st=Berlin,c=DE",
        r"EMAILADDRESS=CA@PROBE.EXAMPLE,CN=PROBE ROOT+OU=SECURITY,O=PROBE\, INC.,ST=BERLIN,C=de",
        r"OID.1.2.840.113549.1.9.1=ca@probe.example,OID.2.5.4.3=Probe Root+OID.2.5.4.11=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
        r"1.2.840.113549.1.9.1=#161063614070726f62652e6578616d706c65,2.5.4.3=#0c0a50726f626520526f6f74+OU=Security,O=Probe\2C Inc.,ST=Berlin,C=DE",
        r"  emailAddress = ca@probe.example ,  CN =  Probe    Root + OU = Security ; O = Probe\, Inc. , ST=Berlin,C=DE  ",
        r"E=ca@probe.example,OU=Security+CN=Probe Root,O=Probe\, Inc.,ST=Berlin,C=DE",
        r#"E="ca@probe.example",CN="Probe Root"+OU="Security",O="Probe, Inc.",ST="Berlin",C="DE""#,
        r"E=ca@probe.example,CN=\50robe\20Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
    ];
    for name in accepted {
        assert!(leaf.issuer_matches(name), "should match: {name}");
        assert!(ca.issuer_matches(name), "self-signed, should match: {name}");
    }

    let refused = [
        leaf.subject(),
        r"E=ca@probe.example,CN=Probe Root2+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,O=Probe\, Inc.,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE,DC=extra",
        r"E=ca@probe.example,CN=Probe Root,OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,O=Probe\, Inc.,L=Berlin,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,ST=Berlin,O=Probe\, Inc.,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,O=Probe Inc.,ST=Berlin,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security+OU=Extra,O=Probe\, Inc.,ST=Berlin,C=DE",
        r"E=ca@probe.example,CN=Probe Root+OU=Security,O=Probe, Inc.,ST=Berlin,C=DE",
        r"X-Unknown=ca@probe.example,CN=Probe Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
        r"1.2.840.113549.1.9.1=#041063614070726f62652e6578616d706c65,CN=Probe Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE",
        "CN=Probe Root",
    ];
    for name in refused {
        assert!(!leaf.issuer_matches(name), "should not match: {name}");
    }
}

#[test]
fn certificate_issuer_garbage_never_matches() {
    let fx = Fixture::new();
    let leaf = fx.certificate("leaf");
    let issuer = leaf.issuer().to_owned();
    let garbage = [
        "",
        " ",
        ",,,",
        "=",
        "==",
        "CN",
        "CN=",
        "+",
        ";",
        "CN=\"Probe Root",
        "CN=\"",
        "CN=Probe Root\\",
        "\\",
        "\\\\,\\",
        "CN=#",
        "CN=#zz",
        "CN=#0c",
        "CN=\\G0",
        "OID.=x",
        "1..2=x",
        "\u{0}=\u{0}",
        "CN=\u{feff}",
    ];
    for name in garbage
        .iter()
        .copied()
        .chain([format!("{issuer},"), format!(",{issuer}"), format!("{issuer}+")].iter().map(String::as_str))
    {
        assert!(!leaf.issuer_matches(name), "should not match: {name:?}");
    }
}

#[test]
fn certificate_serial_numbers_in_decimal() {
    let fx = Fixture::new();
    let leaf = fx.certificate("leaf");
    assert_eq!(leaf.serial_decimal(), "-12345");
    for written in ["-12345", " -12345 ", "-0012345", "-12345\n"] {
        assert!(leaf.serial_matches(written), "{written:?}");
    }
    for written in ["12345", "+12345", "-12346", "-3039", "", "-", "- 12345", "-12,345", "FFFFCFC7"] {
        assert!(!leaf.serial_matches(written), "{written:?}");
    }
    let ca = fx.certificate("ca");
    assert!(ca.serial_matches("+004304037699746171764628222214927782353232973295"));
}
