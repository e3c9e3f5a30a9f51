//! Profiling driver for `valgrind --tool=callgrind`: `profile_wcf STAGE RUNS` repeats one
//! operation of the WCF profile on the `wcf` benchmark's ~2 KB Calculator messages
//! (`open-request`, `secure-response`, `secure-request`, `open-response`), or the raw RSA-OAEP
//! decryption the service cannot avoid (`rsa-decrypt`), and prints its time per run. The runs
//! happen in `measured`: `--toggle-collect='*profile_wcf::measured*'` counts only them.
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use time::OffsetDateTime;
use wsseal_benches::pki;
use wsseal_benches::wcf::{engine, request, response};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let stage = args.get(1).map_or("open-request", String::as_str);
    let runs: u32 = args.get(2).map_or(100, |s| s.parse().expect("a count"));
    let pki = pki();
    let client = engine(&pki.client, &pki.service);
    let service = engine(&pki.service, &pki.client);
    let at = OffsetDateTime::now_utc();
    let secured = client.secure_at(&request(), None, at).expect("secures the request");
    let opened = service.open_at(&secured.envelope, None, at).expect("opens the request");
    let answered = service.secure_at(&response(), Some(&opened.exchange), at).expect("secures the response");
    let public = OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(&pki.service.spki_der).expect("key"))
        .expect("an OAEP key");
    let mut wrapped = vec![0; public.ciphertext_size()];
    public.encrypt(&OAEP_SHA1_MGF1SHA1, &[7; 32], &mut wrapped, None).expect("encrypts");
    let private =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(&pki.service.key_pkcs8_der).expect("key"))
            .expect("an OAEP key");
    let mut unwrapped = vec![0; private.key_size_bytes()];
    let (request, response) = (request(), response());

    let started = std::time::Instant::now();
    measured(runs, || match stage {
        "open-request" => drop(std::hint::black_box(service.open_at(&secured.envelope, None, at).expect("opens"))),
        "secure-response" => {
            drop(std::hint::black_box(service.secure_at(&response, Some(&opened.exchange), at).expect("secures")))
        }
        "secure-request" => drop(std::hint::black_box(client.secure_at(&request, None, at).expect("secures"))),
        "open-response" => {
            drop(std::hint::black_box(client.open_at(&answered.envelope, Some(&secured.exchange), at).expect("opens")))
        }
        "rsa-decrypt" => {
            std::hint::black_box(
                private.decrypt(&OAEP_SHA1_MGF1SHA1, &wrapped, &mut unwrapped, None).expect("decrypts"),
            );
        }
        other => panic!("unknown stage {other}"),
    });
    eprintln!("{stage}: {:?} per run", started.elapsed() / runs);
}

#[inline(never)]
fn measured(runs: u32, mut run: impl FnMut()) {
    for _ in 0..runs {
        run();
    }
}
