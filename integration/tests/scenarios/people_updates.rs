//! A teacher's profile changes reach the instances that know them: their
//! instance sends `Update` with the whole `Person` document to the
//! instances of their contacts (one delivery per instance), which show
//! the new name and fetch the new avatar. Only the person may update
//! themselves: a forged `Update(Person)` signed by someone else's key is
//! refused and changes nothing.

use super::forums::post_signed;
use super::projects::submit;
use super::support::{client::Client, *};
use serde_json::{json, Value};
use std::io::Cursor;

fn png(colour: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(120, 120, image::Rgb(colour));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// The colour in the middle of the avatar `url` serves at 96 px, once it
/// is a fetched picture (not the transparent pixel).
async fn avatar_colour(client: &Client<'_>, url: &str) -> Option<[u8; 3]> {
    let bytes = client
        .http()
        .get(url)
        .send()
        .await
        .ok()?
        .bytes()
        .await
        .ok()?;
    let image = image::load_from_memory(&bytes).ok()?;
    (image.width() == 96).then(|| image.to_rgb8().get_pixel(48, 48).0)
}

async fn save_profile(teacher: &Client<'_>, display_name: &str) {
    let (status, body) = submit(
        teacher,
        "/settings/profile",
        "/settings/profile",
        &[
            ("display_name", display_name),
            ("bio", "Professeur de *physique*."),
            ("subjects", "Physique-chimie"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_changes_reach_the_instances_that_know_the_teacher() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let c = start_fast(engine, None, |_| {}).await;
        Client::teacher(&a, "carl", false).await;
        Client::teacher(&b, "bea", false).await;
        Client::teacher(&c, "mallory", false).await;
        let carl = Client::anonymous(&a).log_in_pages("carl").await;
        let bea = Client::anonymous(&b).log_in_pages("bea").await;
        save_profile(&carl, "Carl Durand").await;
        let answer = carl
            .upload(
                "/settings/profile",
                "/settings/avatar",
                "me.png",
                &png([200, 30, 30]),
                None,
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);

        // Bea (B) asks Carl (A) to be a contact: B knows him now, and A
        // knows B knows him.
        let handle = format!("carl@{}", a.domain);
        let local_page = format!("/@{handle}");
        let (status, body) = submit(&bea, "/requests", "/contacts", &[("handle", &handle)]).await;
        assert_eq!(status, 303, "{body}");
        let carl_id = a.url("/users/carl");
        let bea_id = b.url("/users/bea");
        after_delivery(&[&a, &b], "the contact request reaches A", || async {
            a.store().actor_by_ap_id(&bea_id).await.unwrap().is_some()
        })
        .await;
        let avatar_here = b.url(&format!("/avatars/{handle}/96.png"));
        wait_until(crate::support::PATIENCE, || async {
            (avatar_colour(&bea, &avatar_here).await == Some([200, 30, 30])).then_some(())
        })
        .await
        .expect("B serves Carl's first avatar");

        // A sends Carl's changes to B's shared inbox only, once; C, which
        // never met Carl, is not told.
        let carl_row = a.known_actor(&carl_id).await;
        let audience = a
            .store()
            .person_audience_inboxes(carl_row.id)
            .await
            .unwrap();
        assert_eq!(audience, [b.url("/inbox")]);

        // Carl changes his name, then his avatar.
        save_profile(&carl, "Carl Martin-Durand").await;
        let answer = carl
            .upload(
                "/settings/profile",
                "/settings/avatar",
                "new.png",
                &png([20, 40, 220]),
                None,
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        after_delivery(&[&a, &b], "B shows Carl's new name", || async {
            bea.page(&b.url(&local_page))
                .await
                .contains("Carl Martin-Durand")
        })
        .await;
        wait_until(crate::support::PATIENCE, || async {
            (avatar_colour(&bea, &avatar_here).await == Some([20, 40, 220])).then_some(())
        })
        .await
        .expect("B fetches Carl's new avatar");

        // Mallory (C) forges an update of Carl's document: signed with her
        // own key as herself, or with her key claiming to be Carl.
        let mallory = c.known_actor(&c.url("/users/mallory")).await;
        let mallory_key = mallory.private_key_pem.clone().unwrap();
        let mut forged: Value = Client::anonymous(&a)
            .get_activity("/users/carl")
            .await
            .expect(200);
        forged["name"] = json!("Carl l'usurpé");
        let update = |actor: &str, n: u32| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{actor}#forged-{n}"),
                "type": "Update",
                "actor": actor,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": forged.clone(),
            })
        };
        let mallory_id = c.url("/users/mallory");
        let key_id = format!("{mallory_id}#main-key");
        let inbox = b.url("/inbox");
        let now = std::time::SystemTime::now();
        let as_herself = post_signed(
            &inbox,
            &update(&mallory_id, 1),
            &key_id,
            &mallory_key,
            now,
            |_, _| {},
        )
        .await;
        assert_eq!(as_herself.error(), (403, "not_own_actor".to_string()));
        let as_carl = post_signed(
            &inbox,
            &update(&carl_id, 2),
            &key_id,
            &mallory_key,
            now,
            |_, _| {},
        )
        .await;
        assert_eq!(as_carl.error(), (401, "key_owner_mismatch".to_string()));
        let page = bea.page(&b.url(&local_page)).await;
        assert!(page.contains("Carl Martin-Durand"), "{page}");
        assert!(!page.contains("usurpé"), "{page}");

        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}
