//! Avatars: uploaded on the profile settings page, served with safe
//! headers, named as `icon` in the Person document, fetched by another
//! instance and served from there; refused uploads keep the avatar.

use super::forums::teacher;
use super::projects::submit;
use super::support::{client::Client, *};
use std::io::Cursor;

fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb(colour));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// The status, headers and bytes of `url`.
async fn fetch(client: &Client<'_>, url: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = client.http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_are_uploaded_served_and_federated() {
    for engine in engines() {
        let (association, informal) = start_pair(engine).await;
        Client::teacher(&association, "bea", false).await;
        teacher(&informal, "carl", false).await;
        let bea = Client::anonymous(&association).log_in_pages("bea").await;
        let carl = Client::anonymous(&informal).log_in_pages("carl").await;

        // No avatar yet: a transparent pixel over the initials.
        let (status, _, bytes) = fetch(&carl, &informal.url("/avatars/carl/96.png")).await;
        assert_eq!(status, 200);
        let blank = image::load_from_memory(&bytes).unwrap();
        assert_eq!((blank.width(), blank.height()), (1, 1));
        assert_eq!(blank.to_rgba8().get_pixel(0, 0)[3], 0, "transparent");
        let profile = carl.page(&informal.url("/users/carl")).await;
        assert!(profile.contains("avatar-initials"), "{profile}");

        // Carl uploads a 300 × 200 picture from the settings page.
        let answer = carl
            .upload(
                "/settings/profile",
                "/settings/avatar",
                "me.png",
                &png(300, 200, [200, 30, 30]),
                None,
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        let settings = carl.page(&informal.url("/settings/profile")).await;
        assert!(
            settings.contains("Photo de profil enregistrée"),
            "{settings}"
        );

        // Served square, as PNG, with headers that allow nothing else.
        let (status, headers, bytes) = fetch(&carl, &informal.url("/avatars/carl/96.png")).await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "content-type"), "image/png");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(&headers, "content-security-policy"),
            "default-src 'none'; sandbox"
        );
        let served = image::load_from_memory(&bytes).unwrap();
        assert_eq!((served.width(), served.height()), (96, 96));
        let (status, _, _) = fetch(&carl, &informal.url("/avatars/carl/97.png")).await;
        assert_eq!(status, 404);

        // The Person document names it as `icon`, at a versioned URL
        // cached for good.
        let person = Client::anonymous(&informal)
            .get_activity("/users/carl")
            .await
            .expect(200);
        let icon = &person["icon"];
        assert_eq!(icon["type"], "Image");
        assert_eq!(icon["mediaType"], "image/png");
        let icon_url = icon["url"].as_str().unwrap().to_string();
        assert!(icon_url.starts_with(&informal.url("/avatars/carl/256.png?v=")));
        let (_, headers, _) = fetch(&carl, &icon_url).await;
        assert!(header(&headers, "cache-control").contains("immutable"));
        let profile = carl.page(&informal.url("/users/carl")).await;
        assert!(profile.contains("/avatars/carl/96.png?v="), "{profile}");

        // Garbage and oversized files are refused; the avatar stays.
        let answer = carl
            .upload(
                "/settings/profile",
                "/settings/avatar",
                "me.png",
                b"not an image",
                None,
            )
            .await;
        assert_eq!(answer.status, 422, "{}", answer.text);
        assert!(
            answer.text.contains("pas une image lisible"),
            "{}",
            answer.text
        );
        let answer = carl
            .upload(
                "/settings/profile",
                "/settings/avatar",
                "big.png",
                &vec![0u8; 5 * 1024 * 1024 + 1],
                None,
            )
            .await;
        assert_eq!(answer.status, 413, "{}", answer.text);
        assert!(answer.text.contains("dépasse 5 Mo"), "{}", answer.text);
        let (status, _, again) = fetch(&carl, &informal.url("/avatars/carl/96.png")).await;
        assert_eq!((status, again == bytes), (200, true));

        // Bea, on the other instance, asks Carl to be a contact: her
        // instance fetches his document, then his avatar, and serves it
        // from its own URL.
        let handle = format!("carl@{}", informal.domain);
        let (status, body) = submit(
            &bea,
            "/requests",
            "/contacts",
            &[("handle", handle.as_str())],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let remote_url = association.url(&format!("/avatars/{handle}/96.png"));
        let fetched = wait_until(crate::support::PATIENCE, || async {
            // Until the picture is fetched, the transparent pixel answers.
            let (status, headers, bytes) = fetch(&bea, &remote_url).await;
            let fetched = image::load_from_memory(&bytes).is_ok_and(|image| image.width() == 96);
            (status == 200 && fetched).then_some((headers, bytes))
        })
        .await
        .expect("the other instance serves Carl's avatar");
        assert_eq!(header(&fetched.0, "content-type"), "image/png");
        let remote = image::load_from_memory(&fetched.1).unwrap();
        assert_eq!((remote.width(), remote.height()), (96, 96));
        assert_eq!(remote.to_rgb8().get_pixel(48, 48).0, [200, 30, 30]);

        // Removing it takes a confirmation step.
        let confirm = carl.page(&informal.url("/settings/avatar/remove")).await;
        assert!(confirm.contains("class=\"danger\""), "{confirm}");
        let (status, _) = submit(
            &carl,
            "/settings/avatar/remove",
            "/settings/avatar/remove",
            &[],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _, bytes) = fetch(&carl, &informal.url("/avatars/carl/96.png")).await;
        assert_eq!(status, 200);
        let blank = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (blank.width(), blank.height()),
            (1, 1),
            "no picture any more"
        );
        let person = Client::anonymous(&informal)
            .get_activity("/users/carl")
            .await
            .expect(200);
        assert!(person.get("icon").is_none(), "{person}");

        association.stop().await;
        informal.stop().await;
    }
}
